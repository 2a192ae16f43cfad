//! Framing for Sangam's request-response protocols: each request or response is the whole of one
//! stream, a postcard frame with a size bound checked while reading, so a peer cannot make a node
//! buffer more than the bound.

use std::io;
use std::marker::PhantomData;

use futures::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt};
use libp2p::StreamProtocol;
use libp2p::request_response::Codec;
use sangam_protocol::limits::MAX_SYNC_FRAME_BYTES;
use sangam_protocol::sync::{SyncRequest, SyncResponse};
use sangam_protocol::transport::{Hello, HelloReply};

/// A type that travels as one bounded frame.
pub trait Frame: Sized + Send + 'static {
    /// Largest encoded size accepted.
    const MAX_BYTES: usize;
    /// Wire bytes.
    fn to_frame(&self) -> Vec<u8>;
    /// Reads wire bytes, checking the protocol's rules and bounds.
    fn from_frame(bytes: &[u8]) -> Result<Self, sangam_protocol::Error>;
}

impl Frame for SyncRequest {
    const MAX_BYTES: usize = MAX_SYNC_FRAME_BYTES;
    fn to_frame(&self) -> Vec<u8> {
        self.encode()
    }
    fn from_frame(bytes: &[u8]) -> Result<Self, sangam_protocol::Error> {
        SyncRequest::decode(bytes)
    }
}

impl Frame for SyncResponse {
    const MAX_BYTES: usize = MAX_SYNC_FRAME_BYTES;
    fn to_frame(&self) -> Vec<u8> {
        self.encode()
    }
    fn from_frame(bytes: &[u8]) -> Result<Self, sangam_protocol::Error> {
        SyncResponse::decode(bytes)
    }
}

impl Frame for Hello {
    const MAX_BYTES: usize = sangam_protocol::transport::MAX_HELLO_BYTES;
    fn to_frame(&self) -> Vec<u8> {
        self.encode()
    }
    fn from_frame(bytes: &[u8]) -> Result<Self, sangam_protocol::Error> {
        Hello::decode(bytes)
    }
}

impl Frame for HelloReply {
    const MAX_BYTES: usize = 64;
    fn to_frame(&self) -> Vec<u8> {
        self.encode()
    }
    fn from_frame(bytes: &[u8]) -> Result<Self, sangam_protocol::Error> {
        HelloReply::decode(bytes)
    }
}

/// A request-response codec for one (request, response) pair of frames.
pub struct FrameCodec<Req, Resp>(PhantomData<fn() -> (Req, Resp)>);

impl<Req, Resp> Default for FrameCodec<Req, Resp> {
    fn default() -> Self {
        FrameCodec(PhantomData)
    }
}

impl<Req, Resp> Clone for FrameCodec<Req, Resp> {
    fn clone(&self) -> Self {
        FrameCodec(PhantomData)
    }
}

async fn read_frame<T: Frame, R: AsyncRead + Unpin + Send>(io: &mut R) -> io::Result<T> {
    let mut bytes = Vec::new();
    // Read one byte past the bound so an oversized frame is detected, not truncated.
    io.take(T::MAX_BYTES as u64 + 1)
        .read_to_end(&mut bytes)
        .await?;
    if bytes.len() > T::MAX_BYTES {
        return Err(io::Error::new(
            io::ErrorKind::InvalidData,
            "frame exceeds its size limit",
        ));
    }
    T::from_frame(&bytes).map_err(|e| io::Error::new(io::ErrorKind::InvalidData, e.to_string()))
}

async fn write_frame<T: Frame, W: AsyncWrite + Unpin + Send>(
    io: &mut W,
    value: T,
) -> io::Result<()> {
    io.write_all(&value.to_frame()).await?;
    io.close().await
}

impl<Req: Frame, Resp: Frame> Codec for FrameCodec<Req, Resp> {
    type Protocol = StreamProtocol;
    type Request = Req;
    type Response = Resp;

    async fn read_request<T>(&mut self, _: &StreamProtocol, io: &mut T) -> io::Result<Req>
    where
        T: AsyncRead + Unpin + Send,
    {
        read_frame(io).await
    }

    async fn read_response<T>(&mut self, _: &StreamProtocol, io: &mut T) -> io::Result<Resp>
    where
        T: AsyncRead + Unpin + Send,
    {
        read_frame(io).await
    }

    async fn write_request<T>(&mut self, _: &StreamProtocol, io: &mut T, req: Req) -> io::Result<()>
    where
        T: AsyncWrite + Unpin + Send,
    {
        write_frame(io, req).await
    }

    async fn write_response<T>(
        &mut self,
        _: &StreamProtocol,
        io: &mut T,
        resp: Resp,
    ) -> io::Result<()>
    where
        T: AsyncWrite + Unpin + Send,
    {
        write_frame(io, resp).await
    }
}
